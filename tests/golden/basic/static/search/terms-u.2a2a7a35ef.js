DIGESTGEN_SEARCH_LOADED("terms","u",{"union":[0,1],"unknown":[0,1],"until":[1]});
