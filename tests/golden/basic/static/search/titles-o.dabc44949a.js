DIGESTGEN_SEARCH_LOADED("titles","o",{"off":[1,1]});
