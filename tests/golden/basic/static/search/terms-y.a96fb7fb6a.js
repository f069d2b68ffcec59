DIGESTGEN_SEARCH_LOADED("terms","y",{"years":[3,1]});
