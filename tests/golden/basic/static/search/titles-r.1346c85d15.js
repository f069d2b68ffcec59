DIGESTGEN_SEARCH_LOADED("titles","r",{"rattles":[0]});
