DIGESTGEN_SEARCH_LOADED("terms","v",{"valparaiso":[4,1,1]});
