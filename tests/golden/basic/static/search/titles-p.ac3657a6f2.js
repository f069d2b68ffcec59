DIGESTGEN_SEARCH_LOADED("titles","p",{"prize":[3,1]});
