DIGESTGEN_SEARCH_LOADED("terms","g",{"gazette":[3,1]});
