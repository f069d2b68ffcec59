DIGESTGEN_SEARCH_LOADED("terms","n",{"national":[1,1,1,1],"navy":[0,1],"near":[0],"new":[5,1],"no":[0,1,1]});
