DIGESTGEN_SEARCH_LOADED("terms","f",{"family":[2,1],"ferry":[0,1],"food":[3],"forty":[2,1],"friday":[2,1]});
