DIGESTGEN_SEARCH_LOADED("terms","h",{"hour":[0,1]});
