DIGESTGEN_SEARCH_LOADED("terms","k",{"kept":[3,1]});
