DIGESTGEN_SEARCH_LOADED("titles","b",{"bakery":[3,1]});
