DIGESTGEN_SEARCH_LOADED("terms","o",{"off":[5],"office":[4,1,1],"operator":[0,1],"outlet":[0,1]});
