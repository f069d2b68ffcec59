DIGESTGEN_SEARCH_LOADED("terms","q",{"quake":[0]});
