DIGESTGEN_SEARCH_LOADED("terms","c",{"capital":[0],"chile":[1,1],"chilean":[0],"coast":[0,1,1],"county":[3,1],"credited":[3,1],"crews":[5,1],"culture":[3,1]});
