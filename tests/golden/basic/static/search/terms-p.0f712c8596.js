DIGESTGEN_SEARCH_LOADED("terms","p",{"pacific":[4,2],"pay":[0,1],"prize":[2,1],"prompting":[4,1]});
