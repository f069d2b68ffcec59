DIGESTGEN_SEARCH_LOADED("titles","m",{"magnitude":[1,1]});
