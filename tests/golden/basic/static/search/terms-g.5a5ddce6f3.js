DIGESTGEN_SEARCH_LOADED("terms","g",{"gazette":[2,1]});
