DIGESTGEN_SEARCH_LOADED("terms","n",{"national":[2,1,1,1],"navy":[5,1],"near":[6],"new":[0,1],"no":[4,1,1]});
