DIGESTGEN_SEARCH_LOADED("terms","r",{"rattled":[0],"rattles":[0],"reduced":[5],"reported":[0,1,1],"residents":[5,1],"returned":[5,1],"run":[5]});
