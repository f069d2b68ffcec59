DIGESTGEN_SEARCH_LOADED("titles","f",{"ferry":[5,1]});
