DIGESTGEN_SEARCH_LOADED("terms","r",{"rattled":[4,2],"rattles":[4,2],"reduced":[1],"reported":[4,1,1],"residents":[0,1],"returned":[0,1],"run":[1]});
