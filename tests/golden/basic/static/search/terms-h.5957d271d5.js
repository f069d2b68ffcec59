DIGESTGEN_SEARCH_LOADED("terms","h",{"hour":[5,1]});
