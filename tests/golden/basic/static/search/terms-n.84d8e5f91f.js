DIGESTGEN_SEARCH_LOADED("terms","n",{"national":[2,1,2],"navy":[4,1,1],"near":[4,2],"new":[0,1],"no":[4,1,1]});
