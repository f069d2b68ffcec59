DIGESTGEN_SEARCH_LOADED("titles","6",{"68":[1,1]});
