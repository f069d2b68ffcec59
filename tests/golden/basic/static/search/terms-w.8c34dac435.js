DIGESTGEN_SEARCH_LOADED("terms","w",{"warning":[1],"wins":[3,1],"wire":[1,1],"won":[3,1],"work":[5,1]});
