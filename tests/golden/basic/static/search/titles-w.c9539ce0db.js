DIGESTGEN_SEARCH_LOADED("titles","w",{"wins":[3,1]});
