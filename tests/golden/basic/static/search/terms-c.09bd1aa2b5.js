DIGESTGEN_SEARCH_LOADED("terms","c",{"capital":[4,2],"chile":[5],"chilean":[4,2],"coast":[4,1,1],"county":[2,1],"credited":[2,1],"crews":[0,1],"culture":[2,1]});
