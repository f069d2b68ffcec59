DIGESTGEN_SEARCH_LOADED("terms","p",{"pacific":[0,2],"pay":[5,1],"prize":[3,1],"prompting":[1,1]});
