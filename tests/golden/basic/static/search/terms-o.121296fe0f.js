DIGESTGEN_SEARCH_LOADED("terms","o",{"off":[1,1],"office":[0,1,1],"operator":[5,1],"outlet":[5,1]});
