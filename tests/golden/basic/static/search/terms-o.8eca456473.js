DIGESTGEN_SEARCH_LOADED("terms","o",{"off":[4,1],"office":[4,1,1],"operator":[0,1],"outlet":[0,1]});
