DIGESTGEN_SEARCH_LOADED("terms","f",{"family":[3,1],"ferry":[5,1],"food":[3],"forty":[3,1],"friday":[3,1]});
