DIGESTGEN_SEARCH_LOADED("terms","y",{"years":[2,1]});
