DIGESTGEN_SEARCH_LOADED("terms","w",{"warning":[5],"wins":[2,1],"wire":[4,1],"won":[2,1],"work":[0,1]});
