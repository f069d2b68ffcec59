DIGESTGEN_SEARCH_LOADED("titles","n",{"national":[3,1]});
