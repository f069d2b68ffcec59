DIGESTGEN_SEARCH_LOADED("titles","q",{"quake":[0]});
