DIGESTGEN_SEARCH_LOADED("terms","k",{"kept":[2,1]});
