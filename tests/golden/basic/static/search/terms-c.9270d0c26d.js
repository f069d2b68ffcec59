DIGESTGEN_SEARCH_LOADED("terms","c",{"capital":[6],"chile":[4,1],"chilean":[6],"coast":[4,1,1],"county":[2,1],"credited":[2,1],"crews":[0,1],"culture":[2,1]});
