DIGESTGEN_SEARCH_LOADED("terms","b",{"baker":[3],"bakers":[3,1],"bakery":[3,1],"bread":[3,1],"brief":[1,1],"buildings":[1,1]});
