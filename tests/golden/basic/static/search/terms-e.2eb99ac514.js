DIGESTGEN_SEARCH_LOADED("terms","e",{"earthquake":[0,1,1],"emergency":[0,1,1],"ending":[5,1],"ends":[5,1]});
