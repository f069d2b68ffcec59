DIGESTGEN_SEARCH_LOADED("titles","d",{"days":[5,1]});
