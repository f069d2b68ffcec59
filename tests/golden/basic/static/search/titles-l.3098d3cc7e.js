DIGESTGEN_SEARCH_LOADED("titles","l",{"lifted":[0],"loaf":[3,1]});
