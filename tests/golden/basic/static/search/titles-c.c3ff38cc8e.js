DIGESTGEN_SEARCH_LOADED("titles","c",{"chile":[1,1],"coast":[1,1]});
