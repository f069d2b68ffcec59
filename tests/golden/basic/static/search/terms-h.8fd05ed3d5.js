DIGESTGEN_SEARCH_LOADED("terms","h",{"hour":[4,1,1]});
