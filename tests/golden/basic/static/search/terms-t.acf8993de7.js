DIGESTGEN_SEARCH_LOADED("terms","t",{"talks":[0,1],"three":[0,1],"thursday":[0,1],"timetable":[1],"town":[2,1],"tsunami":[4,1,1],"tuesday":[4,1,1]});
