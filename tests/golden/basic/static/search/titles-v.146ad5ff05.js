DIGESTGEN_SEARCH_LOADED("titles","v",{"valparaiso":[0,1,1]});
