DIGESTGEN_SEARCH_LOADED("terms","m",{"magnitude":[0,1,1],"market":[3,1],"morning":[1,1]});
