DIGESTGEN_SEARCH_LOADED("titles","e",{"earthquake":[1,1],"ends":[5,1]});
