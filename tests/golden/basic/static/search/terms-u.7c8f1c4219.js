DIGESTGEN_SEARCH_LOADED("terms","u",{"union":[5,1],"unknown":[5,1],"until":[5]});
