DIGESTGEN_SEARCH_LOADED("terms","e",{"earthquake":[4,1,1],"emergency":[4,1,1],"ending":[0,1],"ends":[0,1]});
