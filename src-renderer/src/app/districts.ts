/** Districts and counties of the city (临沂市), offered in pickers; free text is allowed too. */
export const DISTRICTS = [
  '兰山区', '罗庄区', '河东区', '郯城县', '兰陵县', '沂水县', '沂南县', '平邑县', '费县', '蒙阴县', '莒南县', '临沭县',
  '临沂高新区', '临沂经开区', '临沂临港区', '市直',
];
