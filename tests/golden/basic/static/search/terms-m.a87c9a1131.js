DIGESTGEN_SEARCH_LOADED("terms","m",{"magnitude":[4,1,1],"market":[2,1],"morning":[4,1]});
