DIGESTGEN_SEARCH_LOADED("terms","b",{"baker":[3],"bakers":[2,1],"bakery":[2,1],"bread":[2,1],"brief":[4,1],"buildings":[4,1]});
