DIGESTGEN_SEARCH_LOADED("titles","a",{"after":[5,1],"alert":[0]});
