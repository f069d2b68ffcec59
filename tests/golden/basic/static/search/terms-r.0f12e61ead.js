DIGESTGEN_SEARCH_LOADED("terms","r",{"rattled":[6],"rattles":[6],"reduced":[1],"reported":[4,1,1],"residents":[0,1],"returned":[0,1],"run":[1]});
