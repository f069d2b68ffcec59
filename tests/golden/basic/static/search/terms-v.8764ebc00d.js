DIGESTGEN_SEARCH_LOADED("terms","v",{"valparaiso":[0,1,1]});
